resource "aws_security_group" "db" {
  name        = "reports-db"
  description = "Reporting database"
  vpc_id      = "vpc-0a1b2c3d4e5f60718"

  ingress {
    description = "Postgres for the reporting SaaS"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Team = "reporting"
  }
}

resource "aws_db_instance" "reports" {
  identifier                  = "reports"
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 50
  username                    = "reports_admin"
  manage_master_user_password = true
  storage_encrypted           = true
  publicly_accessible         = false
  vpc_security_group_ids      = [aws_security_group.db.id]

  tags = {
    Team = "reporting"
  }
}
