//! `cnscd serve --help` tells how to turn the Zalo Bot on, and its secrets are never flags.

#[test]
fn serve_help_names_the_zalo_bots_token_and_webhook_settings_but_takes_no_secret_as_a_flag() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cnscd"))
        .args(["serve", "--help"])
        .output()
        .expect("cnscd runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for setting in [
        "ZALO_BOT_TOKEN",
        "ZALO_BOT_PUBLIC_URL",
        "ZALO_BOT_WEBHOOK_URL",
        "ZALO_BOT_WEBHOOK_SECRET",
    ] {
        assert!(
            help.contains(setting),
            "serve --help lacks {setting}:\n{help}"
        );
    }
    assert!(
        !help.contains("--zalo-bot-token"),
        "the token is never a flag"
    );
    assert!(
        !help.contains("--zalo-bot-webhook-secret"),
        "nor the secret"
    );
    assert!(
        !help.contains("ZALO_BOT_API_URL"),
        "the tests' API override stays hidden"
    );
}
