//! The expression language of `visible_if`, `required_if`, `compute` and rules.
