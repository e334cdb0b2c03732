resource "aws_security_group" "web" {
  name        = "web"
  description = "Web tier"
  vpc_id      = var.vpc_id

  ingress {
    description = "SSH from the bastion subnet"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.20.0.0/16"]
  }

  ingress {
    description = "HTTPS from anywhere"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Owner = "client-web-team"
  }
}
