-- A resource instance whose create-time provisioner failed (or that `taint` marked): the next
-- plan replaces it, as Terraform does with a tainted object.
ALTER TABLE resources ADD COLUMN tainted INTEGER NOT NULL DEFAULT 0;
