# Bastion: the only way into the private subnets.
# Its security group is in security.tf.

resource "aws_instance" "bastion" {
  instance_type = "t3.micro"
  ami           = "ami-0c1a7f89451184c8b"

  # Networking
  subnet_id              = "subnet-0f1e2d3c4b5a69788"
  vpc_security_group_ids = [aws_security_group.bastion.id]

  # IMDSv2 only
  metadata_options {
    http_tokens   = "required"
    http_endpoint = "enabled"
  }

  root_block_device {
    encrypted   = true
    volume_size = 8
  }

  tags = {
    Name = "bastion"
  }
}
