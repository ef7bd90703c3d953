function __support_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __support_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __support_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __support_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __support_parse_tokens -S
    set -l unparsed_tokens (__support_tokens -pc)
    switch $unparsed_tokens[1]
    case 'support'
        __support_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'ticket'
            __support_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __support_parse_subcommand 0 'subject=' 'category=' 'priority=' 'message=' 'requester=' 'name=' 'assign=' 'attach=+' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'list'
                __support_parse_subcommand 0 'status=+' 'priority=+' 'category=+' 'assignee=' 'requester=' 'since=' 'until=' 'search=' 'sort=' 'reverse' 'page=' 'limit=' 'ids' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'show'
                __support_parse_subcommand 1 'replies=' 'all' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'update'
                __support_parse_subcommand 1 'subject=' 'message=' 'category=' 'priority=' 'status=' 'assign=' 'unassign' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'close'
                __support_parse_subcommand 1 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'reopen'
                __support_parse_subcommand 1 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'delete'
                __support_parse_subcommand 1 'y/yes' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'history'
                __support_parse_subcommand 1 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'export'
                __support_parse_subcommand 0 'status=+' 'priority=+' 'category=+' 'assignee=' 'requester=' 'since=' 'until=' 'search=' 'sort=' 'reverse' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'import'
                __support_parse_subcommand 0 'file=' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            end
        case 'respond'
            __support_parse_subcommand 1 'message=' 'internal' 'notify' 'no-notify' 'attach=+' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
        case 'settings'
            __support_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'get'
                __support_parse_subcommand 1 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'set'
                __support_parse_subcommand -r 2 'file=' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'reset'
                __support_parse_subcommand 1 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            end
        case 'user'
            __support_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'add'
                __support_parse_subcommand 1 'name=' 'role=' 'login=' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'list'
                __support_parse_subcommand 0 'role=' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'update'
                __support_parse_subcommand 1 'name=' 'role=' 'login=' 'no-login' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'remove'
                __support_parse_subcommand 1 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            end
        case 'notify'
            __support_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'flush'
                __support_parse_subcommand 0 'limit=' 'dry-run' 'jobs=' 'sendmail=' 'timeout=' 'quiet' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'list'
                __support_parse_subcommand 0 'status=' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'retry'
                __support_parse_subcommand 1 'failed' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            end
        case 'mail'
            __support_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'ingest'
                __support_parse_subcommand 0 'maildir=' 'mbox=' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'list'
                __support_parse_subcommand 0 'quarantined' 'outcome=' 'limit=' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'show'
                __support_parse_subcommand 1 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'retry'
                __support_parse_subcommand 1 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            end
        case 'attachment'
            __support_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'get'
                __support_parse_subcommand 1 'o/output=' 'force' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            end
        case 'stats'
            __support_parse_subcommand 0 'since=' 'until=' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
        case 'audit'
            __support_parse_subcommand 0 'action=+' 'actor=' 'ticket=' 'since=' 'until=' 'page=' 'limit=' 'deleted-tickets' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
        case 'serve'
            __support_parse_subcommand 0 'listen=' 'auth-failure-limit=' 'jwt-public-key=' 'jwt-issuer=' 'jwt-audience=' 'jwt-email-claim=' 'flush-every=' 'idle-timeout=' 'max-connections=' 'trust-proxy' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
        case 'token'
            __support_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'issue'
                __support_parse_subcommand 1 'expires=' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            case 'revoke'
                __support_parse_subcommand 1 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            end
        case 'db'
            __support_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'copy'
                __support_parse_subcommand 0 'to=' 'to-config=' 'db=' 'config=' 'as=' 'json' 'verbose' 'color=' 'version' 'h/help'
            end
        case 'help'
            __support_parse_subcommand -r 1 'version'
        end
    end
end

function __support_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __support_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __support_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __support_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__support_tokens -p)
    if test -z "$(__support_tokens -t)"
        set -l index (count (__support_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'support' -f
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'ticket' -d 'Open, find, show, change and delete tickets.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'respond' -d 'Reply on a ticket, or add an internal note (staff only).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'settings' -d 'Read and change the help desk\'s settings (admin only).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'user' -d 'Manage the people of the help desk (admin only; staff may list).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'notify' -d 'Send and inspect the outbox of mail (admin only).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'mail' -d 'Take in mail: ingest messages, list what became of them, retry quarantined ones (admin only).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'attachment' -d 'Fetch files kept with tickets (ticket show lists them with their ids).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'stats' -d 'Ticket volume, response and resolution times, backlog and mail delivery (staff only).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'audit' -d 'Show the audit trail: who changed what, and when'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'serve' -d 'Serve the desk\'s HTTP API (JWT bearer tokens; see \'support token issue\').'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'token' -d 'Issue and revoke the API tokens of \'support serve\' (admin).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'db' -d 'Move the desk to another database (admin only).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support ticket" -eq 1' -fa 'create' -d 'Open a ticket.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support ticket" -eq 1' -fa 'list' -d 'List open and in-progress tickets, newest first: a requester sees their own, staff see all.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support ticket" -eq 1' -fa 'show' -d 'Show a ticket with its conversation (internal notes for staff only).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support ticket" -eq 1' -fa 'update' -d 'Change a ticket\'s fields, status or assignee (staff only).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support ticket" -eq 1' -fa 'close' -d 'Close a ticket (staff only): ticket update --status closed.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support ticket" -eq 1' -fa 'reopen' -d 'Reopen a resolved or closed ticket (staff only): ticket update --status open.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support ticket" -eq 1' -fa 'delete' -d 'Delete a ticket and its replies (admin only).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support ticket" -eq 1' -fa 'history' -d 'Show who changed what on a ticket, oldest first (kept after deletion).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support ticket" -eq 1' -fa 'export' -d 'Write matching tickets as NDJSON, one per line in the --json shape, oldest first.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support ticket" -eq 1' -fa 'import' -d 'Read tickets as NDJSON (the export format) from stdin or --file (admin only).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" subject' -l 'subject' -d 'One line, at most 200 characters.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" category' -l 'category' -d 'technical-issue, account-issue, feature-request, general-inquiry or bug-report.' -rfka 'technical-issue account-issue feature-request general-inquiry bug-report'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" priority' -l 'priority' -d 'low, medium (default), high or critical.' -rfka 'low medium high critical'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" message' -l 'message' -d 'The description, or - to read it from stdin.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" requester' -l 'requester' -d 'Open it for this requester (staff only); created as a user if new.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" name' -l 'name' -d 'The requester\'s name, when they are new.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" assign' -l 'assign' -d 'Assign it to this staff member, or me (staff only); they are mailed unless it is you.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create"' -l 'attach' -d 'Attach this file (repeat for more); limits: attachment_max_bytes, attachment_max_total_bytes.' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list"' -l 'status' -d 'open, in-progress, resolved, closed, or all.' -rfka 'open in-progress resolved closed'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list"' -l 'priority' -d 'low, medium, high, critical.' -rfka 'low medium high critical'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list"' -l 'category' -d 'technical-issue, account-issue, feature-request, general-inquiry, bug-report.' -rfka 'technical-issue account-issue feature-request general-inquiry bug-report'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" assignee' -l 'assignee' -d 'Assigned to EMAIL, to me, or to none.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" requester' -l 'requester' -d 'Opened by EMAIL.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" since' -l 'since' -d 'Created at or after DATE: 2026-11-01 (local time unless a zone is given, 2026-11-01T09:30Z), today, yesterday, monday (the last Monday before today), or an age: 30min, 12h, 3d, 2w, 1mo.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" until' -l 'until' -d 'Created before DATE (a bare day includes that day).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" search' -l 'search' -d 'Words to find in subject, message and replies (every word must occur; staff: internal notes too).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" sort' -l 'sort' -d 'created (newest first; with --search, the newest entered first), updated, priority, status, or relevance (with --search: best match first, words in the subject counting most).' -rfka 'created updated priority status relevance'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" reverse' -l 'reverse' -d 'Reverse the order (oldest first for created).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" page' -l 'page' -d 'Page number, from 1.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" limit' -l 'limit' -d 'Tickets per page, 1 to 500.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" ids' -l 'ids' -d 'Print only the ticket numbers, one a line.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket show" replies' -l 'replies' -d 'Show the newest N replies (default 50).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket show" all' -l 'all' -d 'Show every reply, however many.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket show" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket show" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket show" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket show" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket show" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket show" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket show" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" subject' -l 'subject' -d 'A new subject.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" message' -l 'message' -d 'A new description, or - to read it from stdin.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" category' -l 'category' -d 'A new category.' -rfka 'technical-issue account-issue feature-request general-inquiry bug-report'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" priority' -l 'priority' -d 'A new priority.' -rfka 'low medium high critical'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" status' -l 'status' -d 'A new status.' -rfka 'open in-progress resolved closed'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" assign' -l 'assign' -d 'Assign to this staff member, or me; they are mailed unless it is you.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" unassign' -l 'unassign' -d 'Remove the assignee.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket update" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket close" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket close" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket close" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket close" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket close" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket close" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket close" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket close" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket reopen" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket reopen" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket reopen" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket reopen" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket reopen" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket reopen" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket reopen" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket reopen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket delete" y yes' -s 'y' -l 'yes' -d 'Delete without asking (needed when stdin is not a terminal).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket delete" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket delete" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket delete" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket delete" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket delete" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket delete" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket delete" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket history" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket history" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket history" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket history" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket history" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket history" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket history" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket history" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export"' -l 'status' -d 'open, in-progress, resolved, closed, or all.' -rfka 'open in-progress resolved closed'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export"' -l 'priority' -d 'low, medium, high, critical.' -rfka 'low medium high critical'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export"' -l 'category' -d 'technical-issue, account-issue, feature-request, general-inquiry, bug-report.' -rfka 'technical-issue account-issue feature-request general-inquiry bug-report'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" assignee' -l 'assignee' -d 'Assigned to EMAIL, to me, or to none.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" requester' -l 'requester' -d 'Opened by EMAIL.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" since' -l 'since' -d 'Created at or after DATE: 2026-11-01 (local time unless a zone is given, 2026-11-01T09:30Z), today, yesterday, monday (the last Monday before today), or an age: 30min, 12h, 3d, 2w, 1mo.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" until' -l 'until' -d 'Created before DATE (a bare day includes that day).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" search' -l 'search' -d 'Words to find in subject, message and replies (every word must occur; staff: internal notes too).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" sort' -l 'sort' -d 'created (newest first; with --search, the newest entered first), updated, priority, status, or relevance (with --search: best match first, words in the subject counting most).' -rfka 'created updated priority status relevance'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" reverse' -l 'reverse' -d 'Reverse the order (oldest first for created).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket import" file' -l 'file' -d 'Read this file instead of stdin.' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket import" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket import" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket import" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket import" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket import" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket import" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket import" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support ticket import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" message' -l 'message' -d 'The reply, or - to read it from stdin.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" internal' -l 'internal' -d 'An internal note: never shown or mailed to the requester.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" notify' -l 'notify' -d 'Mail the reply to the requester (default: on for public replies).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" no-notify' -l 'no-notify' -d 'Mail the reply to the requester (default: on for public replies).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond"' -l 'attach' -d 'Attach this file (repeat for more); limits: attachment_max_bytes, attachment_max_total_bytes.' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support respond" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support settings" -eq 1' -fa 'get' -d 'Print all settings, or one.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support settings" -eq 1' -fa 'set' -d 'Change a setting.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support settings" -eq 1' -fa 'reset' -d 'Put a setting back to its default (audited like set; --json prints it as set does).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support settings get" -eq 1' -fka 'support_email support_name support_auto_response support_assignment_notice support_email_template ticket_rate_limit_per_hour reply_rate_limit_per_hour sendmail_command mail_max_attempts mail_default_category mail_default_priority mail_reopen_days mail_max_bytes mail_auto_responses_per_hour attachment_max_bytes attachment_max_total_bytes'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings get" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings get" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings get" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings get" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings get" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings get" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings get" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support settings set" -eq 1' -fka 'support_email support_name support_auto_response support_assignment_notice support_email_template ticket_rate_limit_per_hour reply_rate_limit_per_hour sendmail_command mail_max_attempts mail_default_category mail_default_priority mail_reopen_days mail_max_bytes mail_auto_responses_per_hour attachment_max_bytes attachment_max_total_bytes'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings set" file' -l 'file' -d 'Read the value from this file (for support_email_template).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings set" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings set" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings set" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings set" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings set" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings set" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings set" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support settings reset" -eq 1' -fka 'support_email support_name support_auto_response support_assignment_notice support_email_template ticket_rate_limit_per_hour reply_rate_limit_per_hour sendmail_command mail_max_attempts mail_default_category mail_default_priority mail_reopen_days mail_max_bytes mail_auto_responses_per_hour attachment_max_bytes attachment_max_total_bytes'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings reset" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings reset" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings reset" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings reset" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings reset" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings reset" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings reset" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support settings reset" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support user" -eq 1' -fa 'add' -d 'Add a person: staff, or a requester.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support user" -eq 1' -fa 'list' -d 'List people, by email.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support user" -eq 1' -fa 'update' -d 'Change a person\'s name or role.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support user" -eq 1' -fa 'remove' -d 'Remove a person: they can no longer act; their tickets, replies and history stay.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" name' -l 'name' -d 'Their name (default: the part of the address before @).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" role' -l 'role' -d 'user, internal or admin (default: user).' -rfka 'user internal admin'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" login' -l 'login' -d 'The Unix account they work from: run without --as, it acts as them.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user list" role' -l 'role' -d 'Only this role.' -rfka 'user internal admin'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user list" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user list" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user list" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user list" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user list" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user list" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user list" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" name' -l 'name' -d 'A new name.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" role' -l 'role' -d 'user, internal or admin.' -rfka 'user internal admin'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" login' -l 'login' -d 'The Unix account they work from: run without --as, it acts as them.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" no-login' -l 'no-login' -d 'Unmap their Unix account.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user update" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user remove" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user remove" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user remove" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user remove" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user remove" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user remove" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user remove" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support user remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support notify" -eq 1' -fa 'flush' -d 'Pipe due messages to the mail program (run it from cron).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support notify" -eq 1' -fa 'list' -d 'Show the outbox with attempts and last errors.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support notify" -eq 1' -fa 'retry' -d 'Put a failed message (or all with --failed) back in the queue.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" limit' -l 'limit' -d 'Send at most N messages.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" dry-run' -l 'dry-run' -d 'Print what would be sent; send nothing, change nothing.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" jobs' -l 'jobs' -d 'Mail programs to run at once (whatever the number of CPUs), 1 to 64.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" sendmail' -l 'sendmail' -d 'The mail program for this run, instead of sendmail_command.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" timeout' -l 'timeout' -d 'Seconds one run of the mail program may take before it is killed.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" quiet' -l 'quiet' -d 'Print nothing on success.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify flush" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify list" status' -l 'status' -d 'pending, sending, sent, failed or bounced.' -rfka 'pending sending sent failed bounced'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify list" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify list" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify list" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify list" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify list" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify list" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify list" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify retry" failed' -l 'failed' -d 'Retry every failed message.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify retry" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify retry" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify retry" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify retry" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify retry" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify retry" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify retry" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support notify retry" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support mail" -eq 1' -fa 'ingest' -d 'Turn incoming mail into tickets and replies (one message on stdin, or a Maildir or mbox).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support mail" -eq 1' -fa 'list' -d 'Show ingested messages, newest first, with what became of each.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support mail" -eq 1' -fa 'show' -d 'Print an ingested message exactly as it was received (with --json: its record and the bytes in base64).'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support mail" -eq 1' -fa 'retry' -d 'Ingest a quarantined message again.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail ingest" maildir' -l 'maildir' -d 'Ingest every message in this Maildir\'s new/ and cur/.' -rfa '(__support_complete_directories)'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail ingest" mbox' -l 'mbox' -d 'Ingest every message of this mbox file.' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail ingest" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail ingest" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail ingest" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail ingest" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail ingest" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail ingest" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail ingest" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail ingest" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" quarantined' -l 'quarantined' -d 'Only quarantined messages (unreadable or too large).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" outcome' -l 'outcome' -d 'created, replied, ignored, bounce, quarantined or duplicate.' -rfka 'created replied ignored bounce quarantined duplicate'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" limit' -l 'limit' -d 'Show at most N messages.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail show" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail show" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail show" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail show" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail show" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail show" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail show" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail retry" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail retry" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail retry" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail retry" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail retry" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail retry" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail retry" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support mail retry" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support attachment" -eq 1' -fa 'get' -d 'Write one attachment to a file, or to stdout.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment get" o output' -s 'o' -l 'output' -d 'Write to this file instead of stdout.' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment get" force' -l 'force' -d 'Replace the --output file if it exists.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment get" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment get" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment get" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment get" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment get" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment get" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment get" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support attachment get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support stats" since' -l 'since' -d 'Tickets created at or after DATE: 2026-11-01 (local time unless a zone is given, 2026-11-01T09:30Z), today, yesterday, monday (the last Monday before today), or an age: 30min, 12h, 3d, 2w, 1mo.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support stats" until' -l 'until' -d 'Tickets created before DATE (a bare day includes that day).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support stats" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support stats" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support stats" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support stats" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support stats" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support stats" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support stats" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit"' -l 'action' -d 'ticket.created, ticket.changed, ticket.replied, ticket.noted, ticket.deleted, setting.changed, user.added, user.changed.' -rfka 'ticket.created ticket.changed ticket.replied ticket.noted ticket.deleted setting.changed user.added user.changed'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" actor' -l 'actor' -d 'Changes made by EMAIL.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" ticket' -l 'ticket' -d 'Changes to one ticket, e.g. ST-2026-001.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" since' -l 'since' -d 'Made at or after DATE: 2026-11-01 (local time unless a zone is given, 2026-11-01T09:30Z), today, yesterday, monday (the last Monday before today), or an age: 30min, 12h, 3d, 2w, 1mo.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" until' -l 'until' -d 'Made before DATE (a bare day includes that day).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" page' -l 'page' -d 'Page number, from 1.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" limit' -l 'limit' -d 'Events per page, 1 to 500.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" deleted-tickets' -l 'deleted-tickets' -d 'Instead of events, write the tickets the matching deletes removed, one NDJSON line each as `ticket export` writes it (paging does not apply), for `ticket import`: support audit --ticket ST-2026-042 --deleted-tickets | support ticket import restores it with its number. Exit 66 when no delete matches.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" listen' -l 'listen' -d 'Address to listen on (port 0: any free port, printed on start).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" auth-failure-limit' -l 'auth-failure-limit' -d 'Failed authentications a client address may make per minute before it gets 429.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" jwt-public-key' -l 'jwt-public-key' -d 'Also accept RS256/ES256 tokens of an identity provider: its public key (PEM).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" jwt-issuer' -l 'jwt-issuer' -d 'The provider\'s issuer (iss) its tokens must carry; required with --jwt-public-key.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" jwt-audience' -l 'jwt-audience' -d 'The audience (aud) provider tokens must name; required with --jwt-public-key.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" jwt-email-claim' -l 'jwt-email-claim' -d 'The provider claim that carries the person\'s email.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" flush-every' -l 'flush-every' -d 'Also send the outbox every interval (30s, 5m, 1h), as \'notify flush\' does; safe beside a cron flush.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" idle-timeout' -l 'idle-timeout' -d 'Seconds before an idle connection is dropped; a request\'s headers and body must arrive within as long (default 30).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" max-connections' -l 'max-connections' -d 'Connections served at once; more wait until one closes (default 512).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" trust-proxy' -l 'trust-proxy' -d 'Behind a proxy on this machine (nginx): take the client\'s address from its X-Real-IP header.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support token" -eq 1' -fa 'issue' -d 'Print a bearer token for an existing user; hand it to them privately.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support token" -eq 1' -fa 'revoke' -d 'End every token issued so far to a user.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token issue" expires' -l 'expires' -d 'Lifetime: 90m, 12h, 30d, 2w (at most 366 days).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token issue" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token issue" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token issue" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token issue" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token issue" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token issue" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token issue" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token issue" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token revoke" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token revoke" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token revoke" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token revoke" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token revoke" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token revoke" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token revoke" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support token revoke" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_positional "support db" -eq 1' -fa 'copy' -d 'Copy this SQLite desk, whole, into an empty PostgreSQL database.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db copy" to' -l 'to' -d 'The empty PostgreSQL desk: postgresql://USER@HOST:PORT/DATABASE.' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db copy" to-config' -l 'to-config' -d 'A config file whose [postgres] section names the empty PostgreSQL desk (mode 0600).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db copy" db' -l 'db' -d 'Database file or postgresql:// address (default: $SUPPORT_DB, else the config file\'s desk, else $XDG_DATA_HOME/support/support.db).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db copy" config' -l 'config' -d 'Config file naming the desk, mode 0600 (default: $SUPPORT_CONFIG, else ~/.config/support/config, else /etc/support/config).' -rF
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db copy" as' -l 'as' -d 'Act as this person (default: $SUPPORT_AS, else the person mapped to your login, else the file owner\'s local operator).' -rfka ''
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db copy" json' -l 'json' -d 'Print results as JSON (errors as JSON on stderr).'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db copy" verbose' -l 'verbose' -d 'Log what happens to stderr.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db copy" color' -l 'color' -d 'auto (on a terminal, unless $NO_COLOR; $CLICOLOR_FORCE even into a pipe), always or never.' -rfka 'auto always never'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db copy" version' -l 'version' -d 'Show the version.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support db copy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'support' -n '__support_should_offer_completions_for_flags_or_options "support help" version' -l 'version' -d 'Show the version.'
