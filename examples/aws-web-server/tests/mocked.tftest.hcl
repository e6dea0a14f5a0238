# Unit tests of the web server example with a mocked AWS provider: the firewall rules and the
# instance placement, checked without a cloud or an emulator.

mock_provider "aws" {
  mock_resource "aws_instance" {
    defaults = {
      public_ip  = "203.0.113.10"
      private_ip = "10.0.1.10"
    }
  }
}

run "ssh_is_open_only_to_the_admin_network" {
  command = plan

  variables {
    ssh_cidr = "192.0.2.0/24"
  }

  assert {
    condition     = [for r in aws_security_group.web.ingress : r.cidr_blocks if r.from_port == 22] == [["192.0.2.0/24"]]
    error_message = "SSH should be open to 192.0.2.0/24 only."
  }
  assert {
    condition     = length([for r in aws_security_group.web.ingress : r if r.from_port == 80 && contains(r.cidr_blocks, "0.0.0.0/0")]) == 1
    error_message = "HTTP should be open to everyone."
  }
}

run "the_server_runs_in_the_public_subnet" {
  assert {
    condition     = aws_instance.web.subnet_id == aws_subnet.public.id
    error_message = "The instance is not in the public subnet."
  }
  assert {
    condition     = contains(aws_instance.web.vpc_security_group_ids, aws_security_group.web.id)
    error_message = "The instance does not use the web security group."
  }
  assert {
    condition     = output.public_ip == "203.0.113.10"
    error_message = "The public_ip output does not come from the instance."
  }
}
