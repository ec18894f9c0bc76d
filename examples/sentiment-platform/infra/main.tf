# The sentiment platform's cluster and databases. One root, one state per environment: each is
# initialised with its own partial backend configuration (envs/<environment>.tfbackend, distinct keys)
# and variables (envs/<environment>.tfvars). The state lock is an S3 lock file (Terraform 1.11+).
terraform {
  required_version = ">= 1.11"

  backend "s3" {
    bucket       = "acme-sentiment-tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
    # Path-style requests: the same configuration works with AWS and with the S3-compatible store the
    # team runs next to its self-hosted cluster.
    use_path_style = true
  }
}

variable "environment" {
  type = string
}

variable "node_count" {
  type = number
}

resource "terraform_data" "cluster" {
  input = {
    environment = var.environment
    node_count  = var.node_count
  }
}

output "cluster" {
  value = terraform_data.cluster.output
}
