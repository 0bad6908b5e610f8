fn main() {
    // The scenarios, guidance and licensing tables are compiled in; rebuild when they change.
    println!("cargo:rerun-if-changed=assets");
}
