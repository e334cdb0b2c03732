resource "aws_security_group" "bastion" {
  # Attached only to the bastion instance in main.tf.
  vpc_id      = "vpc-0a1b2c3d4e5f60718"
  name        = "bastion"
  description = "Bastion host"

  ingress {
    cidr_blocks = [
      "0.0.0.0/0",
    ]
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    description = "SSH from the client VPN"
  }
}
