environment = "staging"
node_count  = 2
