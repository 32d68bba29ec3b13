"""Shop managers: head-office invitations, the manager app's keys, and who may read what."""
