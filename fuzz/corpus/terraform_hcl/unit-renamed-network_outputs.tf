output "jump_security_group_id" {
  value = aws_security_group.jump.id
}
