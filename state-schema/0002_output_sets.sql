-- Where an output's value holds a set: JSON keeps only the elements, so without this a set
-- output reads back as a list and differs from the configuration on every plan.
ALTER TABLE outputs ADD COLUMN set_paths TEXT NOT NULL DEFAULT '[]';
