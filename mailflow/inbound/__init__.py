"""What arrived: the program mailbox (IMAP or a local Maildir) and the ledger of received mail."""
