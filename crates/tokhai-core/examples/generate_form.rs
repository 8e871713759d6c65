//! Prints a generated definition of N fields (default 700), e.g. for the browser benchmark.

#[path = "../benches/generated.rs"]
mod generated;

fn main() {
    let n = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(700);
    println!("{}", generated::definition(n));
}
