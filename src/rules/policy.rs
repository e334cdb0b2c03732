//! IAM-style policy documents.
