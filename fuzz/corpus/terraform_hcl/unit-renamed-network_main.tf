resource "aws_security_group" "jump" {
  name        = "jump"
  description = "Jump host"
  vpc_id      = "vpc-0a1b2c3d4e5f60718"

  ingress {
    description = "SSH from the contractor VPN"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.30.0.0/16"]
  }
}
