//! The <tokhai-form> browser widget: a thin wasm shell around tokhai-core.
