"""The people of an association as staff manage them: the directory, a person's record and
credentials, deactivation, and bulk import from a spreadsheet."""
