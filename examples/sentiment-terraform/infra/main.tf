# The sentiment platform's cluster and databases. Each environment is initialised with its own
# partial backend configuration in envs/*.tfbackend.
terraform {
  required_version = ">= 1.11"

  backend "s3" {
    bucket         = "sentiment-tfstate"
    region         = "eu-west-1"
    dynamodb_table = "sentiment-tflock"
    encrypt        = true
  }
}

resource "terraform_data" "cluster" {
  input = var.environment
}

variable "environment" {
  type = string
}
