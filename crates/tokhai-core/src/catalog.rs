//! Options catalogues: static lists and the administrative units of 2025.
