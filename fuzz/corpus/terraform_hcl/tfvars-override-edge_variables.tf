variable "admin_cidr" {
  description = "Network allowed to reach the Windows jump hosts over RDP"
  type        = string
  default     = "0.0.0.0/0"
}
