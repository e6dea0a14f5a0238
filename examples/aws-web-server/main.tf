# A web server: a VPC, a public subnet, a security group for HTTP and SSH, and an instance
# that installs a web server from user_data.
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
  description = "An EC2 endpoint to use instead of AWS (moto, LocalStack)."
}

variable "ami" {
  type        = string
  default     = "ami-03cf127a" # one of moto's built-in images; use a real one on AWS
  description = "The machine image."
}

variable "instance_type" {
  type    = string
  default = "t3.micro"
}

variable "ssh_cidr" {
  type    = string
  default = "10.0.0.0/8"
}

locals {
  emulated = var.endpoint != null
}

provider "aws" {
  region     = var.region
  access_key = local.emulated ? "test" : null
  secret_key = local.emulated ? "test" : null
  endpoints {
    ec2 = var.endpoint
  }
  default_tags {
    tags = { project = "aws-web-server", managed = "skyform" }
  }
}

resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "web" }
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = cidrsubnet(aws_vpc.main.cidr_block, 8, 1)
  map_public_ip_on_launch = true
  tags                    = { Name = "web-public" }
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "HTTP from anywhere, SSH from the admin network"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_cidr]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "web" {
  ami                    = var.ami
  instance_type          = var.instance_type
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.web.id]
  user_data              = <<-EOT
    #!/bin/sh
    dnf install -y nginx || apt-get install -y nginx
    echo "hello from skyform" > /usr/share/nginx/html/index.html
    systemctl enable --now nginx
  EOT
  tags                   = { Name = "web" }
}

output "private_ip" {
  value = aws_instance.web.private_ip
}

output "public_ip" {
  value = aws_instance.web.public_ip
}
