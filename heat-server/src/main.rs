//! The `heat-server` binary: glue (see `serve` for the work).

fn main() -> std::process::ExitCode {
    heat_server::serve::main()
}
