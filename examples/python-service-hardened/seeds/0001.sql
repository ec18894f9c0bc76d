-- Customers present from revision 0001 on, so 0002 meets real rows.
INSERT INTO customers (email) VALUES ('ada@example.com'), ('grace@example.com');
