//! Reference portal back end of tokhai.

fn main() {}
