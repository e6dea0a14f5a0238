# Unit tests of the network example with a mocked AWS provider: the subnet layout, the routes
# and the scaling limits, checked without a cloud or an emulator. The mock reports three zones;
# the example uses the first two (var.zones).

mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    }
  }
}

run "one_public_and_one_private_subnet_per_zone" {
  command = plan

  assert {
    condition     = length(aws_subnet.public) == 2 && length(aws_subnet.private) == 2
    error_message = "Expected two subnets of each kind."
  }
  assert {
    condition     = aws_subnet.public[1].cidr_block == "10.40.1.0/24" && aws_subnet.private[0].cidr_block == "10.40.100.0/24"
    error_message = "Unexpected subnet ranges: ${aws_subnet.public[1].cidr_block}, ${aws_subnet.private[0].cidr_block}."
  }
  assert {
    condition     = aws_subnet.private[1].availability_zone == "eu-west-1b"
    error_message = "The private subnets do not follow the zones."
  }
}

run "private_traffic_leaves_through_the_nat_gateway" {
  assert {
    condition     = aws_route.private_nat.nat_gateway_id == aws_nat_gateway.main.id
    error_message = "The private route does not use the NAT gateway."
  }
  assert {
    condition     = aws_route.public_internet.gateway_id == aws_internet_gateway.main.id
    error_message = "The public route does not use the internet gateway."
  }
  assert {
    condition     = toset(aws_autoscaling_group.web.vpc_zone_identifier) == toset(output.private_subnets)
    error_message = "The web servers are not in the private subnets."
  }
}

run "web_servers_sets_the_desired_capacity" {
  command = plan

  variables {
    web_servers = 3
  }

  assert {
    condition     = aws_autoscaling_group.web.desired_capacity == 3
    error_message = "The desired capacity does not follow web_servers."
  }
}
