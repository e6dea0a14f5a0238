-- A create's journal entry records the object the provider has started as soon as it has an
-- id (an InstanceRecord as JSON, tainted), so a run killed while the provider waits for the
-- object to become ready leaves it to be adopted by the next run instead of orphaned.
ALTER TABLE pending_operations ADD COLUMN object TEXT;
