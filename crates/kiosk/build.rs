// sqlx::migrate! embeds the migrations at compile time but, on stable Rust, does not notice a new
// file in the directory: rebuild whenever the directory changes.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/kiosk");
}
