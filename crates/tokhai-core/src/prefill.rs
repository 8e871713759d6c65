//! Prefill bundles: values from national data with their source, lock flag and signature.
