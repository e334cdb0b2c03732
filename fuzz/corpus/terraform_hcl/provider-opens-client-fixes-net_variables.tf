variable "vpc_id" {
  type    = string
  default = "vpc-0a1b2c3d4e5f60718"
}
