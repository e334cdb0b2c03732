resource "aws_launch_template" "app" {
  name_prefix   = "app-"
  image_id      = "ami-0c1a7f89451184c8b"
  instance_type = "t3.small"

  vpc_security_group_ids = [aws_security_group.app.id]

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size = 20
      encrypted   = true
      kms_key_id  = aws_kms_key.data.arn
    }
  }
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 50
  encrypted         = true
  kms_key_id        = aws_kms_key.data.arn
}
