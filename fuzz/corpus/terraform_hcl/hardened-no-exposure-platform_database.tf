resource "aws_rds_cluster" "app" {
  cluster_identifier          = "app"
  engine                      = "aurora-postgresql"
  engine_version              = "16.2"
  master_username             = "app_admin"
  manage_master_user_password = true
  storage_encrypted           = true
  kms_key_id                  = aws_kms_key.data.arn
  vpc_security_group_ids      = [aws_security_group.app.id]
}
