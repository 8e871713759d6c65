//! Text normalisation for Vietnamese: NFC, whitespace, folding keys for matching and search.
