//! Vietnamese number and date words, for dates "in words" on civil-status forms.
