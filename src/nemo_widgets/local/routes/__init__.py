"""The offline backend's endpoints, one module per route family (the table is in `app`)."""
