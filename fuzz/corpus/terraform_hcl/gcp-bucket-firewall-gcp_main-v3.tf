resource "google_storage_bucket" "reports" {
  name                        = "shop-reports"
  location                    = "EU"
  uniform_bucket_level_access = true
}

resource "google_storage_bucket_iam_member" "reports" {
  bucket = google_storage_bucket.reports.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_compute_firewall" "ssh" {
  name    = "allow-ssh-iap"
  network = "shop-vpc"

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}
