-- Rows present from revision 0001 on, so later migrations meet real data.
INSERT INTO accounts (email) VALUES ('ada@example.com'), ('grace@example.com');
