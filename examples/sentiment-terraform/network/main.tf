terraform {
  backend "s3" {
    bucket       = "sentiment-tfstate"
    key          = "network/terraform.tfstate"
    region       = "eu-west-1"
    use_lockfile = true
  }
}

resource "terraform_data" "vpc" {
  input = "10.0.0.0/16"
}
