# A VPC across availability zones, as the community VPC module lays one out: a public and a
# private subnet per zone, an internet gateway, one NAT gateway (with its Elastic IP) for the
# private subnets, route tables; an application load balancer in the public subnets forwarding
# HTTP to an autoscaling group of instances, launched from a launch template into the private
# subnets.
#
# Against moto:  skyform apply -var endpoint=http://127.0.0.1:5000 -auto-approve
# Against AWS:   skyform apply -var ami=ami-xxxxxxxx   (an AMI of your region)

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "endpoint" {
  type        = string
  default     = null
  description = "An endpoint to use instead of AWS for every service (moto, LocalStack)."
}

variable "ami" {
  type        = string
  default     = "ami-03cf127a" # one of moto's built-in images; use a real one on AWS
  description = "The machine image of the web servers."
}

variable "zones" {
  type        = number
  default     = 2
  description = "How many availability zones the network spans."
}

variable "cidr" {
  type    = string
  default = "10.40.0.0/16"
}

variable "web_servers" {
  type    = number
  default = 2
}

locals {
  emulated = var.endpoint != null
  zones    = slice(data.aws_availability_zones.available.names, 0, var.zones)
}

provider "aws" {
  region                      = var.region
  access_key                  = local.emulated ? "test" : null
  secret_key                  = local.emulated ? "test" : null
  skip_credentials_validation = local.emulated
  endpoints {
    ec2         = var.endpoint
    elbv2       = var.endpoint
    autoscaling = var.endpoint
    sts         = var.endpoint
  }
  default_tags {
    tags = { project = "aws-network", managed = "skyform" }
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

resource "random_pet" "name" {
  length = 1
}

resource "aws_vpc" "main" {
  cidr_block           = var.cidr
  enable_dns_hostnames = true
  tags                 = { Name = "net-${random_pet.name.id}" }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  count                   = var.zones
  vpc_id                  = aws_vpc.main.id
  availability_zone       = local.zones[count.index]
  cidr_block              = cidrsubnet(var.cidr, 8, count.index)
  map_public_ip_on_launch = true
  tags                    = { Name = "public-${local.zones[count.index]}" }
}

resource "aws_subnet" "private" {
  count             = var.zones
  vpc_id            = aws_vpc.main.id
  availability_zone = local.zones[count.index]
  cidr_block        = cidrsubnet(var.cidr, 8, 100 + count.index)
  tags              = { Name = "private-${local.zones[count.index]}" }
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "main" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public[0].id
  depends_on    = [aws_internet_gateway.main]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.main.id
}

resource "aws_route_table_association" "public" {
  count          = var.zones
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.main.id
}

resource "aws_route" "private_nat" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.main.id
}

resource "aws_route_table_association" "private" {
  count          = var.zones
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

resource "aws_security_group" "lb" {
  name   = "lb-${random_pet.name.id}"
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = [var.cidr]
  }
}

resource "aws_security_group" "web" {
  name   = "web-${random_pet.name.id}"
  vpc_id = aws_vpc.main.id
}

# The web servers take HTTP from the load balancer only (rules as their own resources, as
# the current AWS provider recommends).
resource "aws_vpc_security_group_ingress_rule" "web_from_lb" {
  security_group_id            = aws_security_group.web.id
  referenced_security_group_id = aws_security_group.lb.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
}

resource "aws_vpc_security_group_egress_rule" "web_out" {
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_lb" "web" {
  name               = "web-${random_pet.name.id}"
  load_balancer_type = "application"
  security_groups    = [aws_security_group.lb.id]
  subnets            = aws_subnet.public[*].id
}

resource "aws_lb_target_group" "web" {
  name     = "web-${random_pet.name.id}"
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.main.id
  health_check {
    path    = "/"
    matcher = "200"
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_launch_template" "web" {
  name_prefix            = "web-"
  image_id               = var.ami
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.web.id]
}

resource "aws_autoscaling_group" "web" {
  name                = "web-${random_pet.name.id}"
  min_size            = 1
  max_size            = 4
  desired_capacity    = var.web_servers
  vpc_zone_identifier = aws_subnet.private[*].id
  target_group_arns   = [aws_lb_target_group.web.arn]
  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

output "url" {
  value = "http://${aws_lb.web.dns_name}/"
}

output "private_subnets" {
  value = aws_subnet.private[*].id
}
