environment = "production"
node_count  = 5
