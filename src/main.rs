use clap::Parser;

use anjuan::cli::{self, Cli};

fn main() -> std::process::ExitCode {
    // One single-threaded Tesseract per worker: OpenMP must not spawn threads of its
    // own inside each engine (several engines × OpenMP threads run many times slower).
    // libgomp reads its environment when it is loaded, before `main`, so setting the
    // variable now is too late: run this program again with it set.
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        use std::os::unix::process::CommandExt;
        if let Ok(exe) = std::env::current_exe() {
            let err = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env("OMP_THREAD_LIMIT", "1")
                .exec();
            eprintln!("warning: cannot restart with OMP_THREAD_LIMIT=1: {err}");
        }
    }
    // Quit quietly when the reader of our output goes away (`anjuan show | head`).
    // SAFETY: restoring the default signal disposition at start-up.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ANJUAN_LOG")
                .unwrap_or_else(|_| "warn,oar_ocr=error,oar_ocr_core=error,ort=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Cli::parse();
    let code = match cli::open_home(
        args.home,
        args.operator.as_deref(),
        args.catalogue.as_deref(),
    ) {
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
        Ok(home) => match args.command {
            None => match anjuan::ui::run_workstation(home) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    1
                }
            },
            Some(cmd) => match cli::run(&home, cmd) {
                Ok(code) => code,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    1
                }
            },
        },
    };
    // Returning (not `process::exit`) lets destructors run: buffered output is
    // flushed and temporary files are removed.
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
