// The package's stylesheet, imported for its side effect (`import 'tokhai/tokhai.css'`).
export {};
