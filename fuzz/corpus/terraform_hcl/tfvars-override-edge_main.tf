resource "aws_security_group" "rdp" {
  name        = "edge-rdp"
  description = "RDP to the Windows jump hosts"
  vpc_id      = "vpc-0a1b2c3d4e5f60718"

  ingress {
    description = "RDP from the admin network"
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
