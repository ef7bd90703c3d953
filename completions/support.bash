#!/bin/bash

__support_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__support_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__support_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__support_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_support() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __support_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    ticket|respond|settings|user|notify|mail|attachment|stats|audit|serve|token|db|help)
        # Offer subcommand argument completions
        "_support_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'ticket respond settings user notify mail attachment stats audit serve token db help' -- "${cur}"))
        ;;
    esac
}

_support_ticket() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __support_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|show|update|close|reopen|delete|history|export|import)
        # Offer subcommand argument completions
        "_support_ticket_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list show update close reopen delete history export import' -- "${cur}"))
        ;;
    esac
}

_support_ticket_create() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=(--attach)
    non_repeating_options=(--subject --category --priority --message --requester --name --assign --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--subject')
        return
        ;;
    '--category')
        __support_add_completions -W 'technical-issue'$'\n''account-issue'$'\n''feature-request'$'\n''general-inquiry'$'\n''bug-report'
        return
        ;;
    '--priority')
        __support_add_completions -W 'low'$'\n''medium'$'\n''high'$'\n''critical'
        return
        ;;
    '--message')
        return
        ;;
    '--requester')
        return
        ;;
    '--name')
        return
        ;;
    '--assign')
        return
        ;;
    '--attach')
        __support_add_completions -f
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_ticket_list() {
    repeating_flags=()
    non_repeating_flags=(--reverse --ids --json --verbose --version -h --help)
    repeating_options=(--status --priority --category)
    non_repeating_options=(--assignee --requester --since --until --search --sort --page --limit --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--status')
        __support_add_completions -W 'open'$'\n''in-progress'$'\n''resolved'$'\n''closed'
        return
        ;;
    '--priority')
        __support_add_completions -W 'low'$'\n''medium'$'\n''high'$'\n''critical'
        return
        ;;
    '--category')
        __support_add_completions -W 'technical-issue'$'\n''account-issue'$'\n''feature-request'$'\n''general-inquiry'$'\n''bug-report'
        return
        ;;
    '--assignee')
        return
        ;;
    '--requester')
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    '--search')
        return
        ;;
    '--sort')
        __support_add_completions -W 'created'$'\n''updated'$'\n''priority'$'\n''status'$'\n''relevance'
        return
        ;;
    '--page')
        return
        ;;
    '--limit')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_ticket_show() {
    repeating_flags=()
    non_repeating_flags=(--all --json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--replies --db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--replies')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_ticket_update() {
    repeating_flags=()
    non_repeating_flags=(--unassign --json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--subject --message --category --priority --status --assign --db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--subject')
        return
        ;;
    '--message')
        return
        ;;
    '--category')
        __support_add_completions -W 'technical-issue'$'\n''account-issue'$'\n''feature-request'$'\n''general-inquiry'$'\n''bug-report'
        return
        ;;
    '--priority')
        __support_add_completions -W 'low'$'\n''medium'$'\n''high'$'\n''critical'
        return
        ;;
    '--status')
        __support_add_completions -W 'open'$'\n''in-progress'$'\n''resolved'$'\n''closed'
        return
        ;;
    '--assign')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_ticket_close() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_ticket_reopen() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_ticket_delete() {
    repeating_flags=()
    non_repeating_flags=(-y --yes --json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_ticket_history() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_ticket_export() {
    repeating_flags=()
    non_repeating_flags=(--reverse --json --verbose --version -h --help)
    repeating_options=(--status --priority --category)
    non_repeating_options=(--assignee --requester --since --until --search --sort --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--status')
        __support_add_completions -W 'open'$'\n''in-progress'$'\n''resolved'$'\n''closed'
        return
        ;;
    '--priority')
        __support_add_completions -W 'low'$'\n''medium'$'\n''high'$'\n''critical'
        return
        ;;
    '--category')
        __support_add_completions -W 'technical-issue'$'\n''account-issue'$'\n''feature-request'$'\n''general-inquiry'$'\n''bug-report'
        return
        ;;
    '--assignee')
        return
        ;;
    '--requester')
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    '--search')
        return
        ;;
    '--sort')
        __support_add_completions -W 'created'$'\n''updated'$'\n''priority'$'\n''status'$'\n''relevance'
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_ticket_import() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--file --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--file')
        __support_add_completions -f
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_respond() {
    repeating_flags=()
    non_repeating_flags=(--internal --notify --no-notify --json --verbose --version -h --help)
    repeating_options=(--attach)
    non_repeating_options=(--message --db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--message')
        return
        ;;
    '--attach')
        __support_add_completions -f
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_settings() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __support_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    get|set|reset)
        # Offer subcommand argument completions
        "_support_settings_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'get set reset' -- "${cur}"))
        ;;
    esac
}

_support_settings_get() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __support_add_completions -W 'support_email'$'\n''support_name'$'\n''support_auto_response'$'\n''support_assignment_notice'$'\n''support_email_template'$'\n''ticket_rate_limit_per_hour'$'\n''reply_rate_limit_per_hour'$'\n''sendmail_command'$'\n''mail_max_attempts'$'\n''mail_default_category'$'\n''mail_default_priority'$'\n''mail_reopen_days'$'\n''mail_max_bytes'$'\n''mail_auto_responses_per_hour'$'\n''attachment_max_bytes'$'\n''attachment_max_total_bytes'
        return
        ;;
    esac
}

_support_settings_set() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--file --db --config --as --color)
    __support_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--file')
        __support_add_completions -f
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __support_add_completions -W 'support_email'$'\n''support_name'$'\n''support_auto_response'$'\n''support_assignment_notice'$'\n''support_email_template'$'\n''ticket_rate_limit_per_hour'$'\n''reply_rate_limit_per_hour'$'\n''sendmail_command'$'\n''mail_max_attempts'$'\n''mail_default_category'$'\n''mail_default_priority'$'\n''mail_reopen_days'$'\n''mail_max_bytes'$'\n''mail_auto_responses_per_hour'$'\n''attachment_max_bytes'$'\n''attachment_max_total_bytes'
        return
        ;;
    esac
}

_support_settings_reset() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __support_add_completions -W 'support_email'$'\n''support_name'$'\n''support_auto_response'$'\n''support_assignment_notice'$'\n''support_email_template'$'\n''ticket_rate_limit_per_hour'$'\n''reply_rate_limit_per_hour'$'\n''sendmail_command'$'\n''mail_max_attempts'$'\n''mail_default_category'$'\n''mail_default_priority'$'\n''mail_reopen_days'$'\n''mail_max_bytes'$'\n''mail_auto_responses_per_hour'$'\n''attachment_max_bytes'$'\n''attachment_max_total_bytes'
        return
        ;;
    esac
}

_support_user() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __support_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|update|remove)
        # Offer subcommand argument completions
        "_support_user_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list update remove' -- "${cur}"))
        ;;
    esac
}

_support_user_add() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--name --role --login --db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--name')
        return
        ;;
    '--role')
        __support_add_completions -W 'user'$'\n''internal'$'\n''admin'
        return
        ;;
    '--login')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_user_list() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--role --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--role')
        __support_add_completions -W 'user'$'\n''internal'$'\n''admin'
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_user_update() {
    repeating_flags=()
    non_repeating_flags=(--no-login --json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--name --role --login --db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--name')
        return
        ;;
    '--role')
        __support_add_completions -W 'user'$'\n''internal'$'\n''admin'
        return
        ;;
    '--login')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_user_remove() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_notify() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __support_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    flush|list|retry)
        # Offer subcommand argument completions
        "_support_notify_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'flush list retry' -- "${cur}"))
        ;;
    esac
}

_support_notify_flush() {
    repeating_flags=()
    non_repeating_flags=(--dry-run --quiet --json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--limit --jobs --sendmail --timeout --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--limit')
        return
        ;;
    '--jobs')
        return
        ;;
    '--sendmail')
        return
        ;;
    '--timeout')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_notify_list() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--status --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--status')
        __support_add_completions -W 'pending'$'\n''sending'$'\n''sent'$'\n''failed'$'\n''bounced'
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_notify_retry() {
    repeating_flags=()
    non_repeating_flags=(--failed --json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_mail() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __support_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    ingest|list|show|retry)
        # Offer subcommand argument completions
        "_support_mail_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'ingest list show retry' -- "${cur}"))
        ;;
    esac
}

_support_mail_ingest() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--maildir --mbox --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--maildir')
        __support_add_completions -d
        return
        ;;
    '--mbox')
        __support_add_completions -f
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_mail_list() {
    repeating_flags=()
    non_repeating_flags=(--quarantined --json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--outcome --limit --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--outcome')
        __support_add_completions -W 'created'$'\n''replied'$'\n''ignored'$'\n''bounce'$'\n''quarantined'$'\n''duplicate'
        return
        ;;
    '--limit')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_mail_show() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_mail_retry() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_attachment() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __support_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    get)
        # Offer subcommand argument completions
        "_support_attachment_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'get' -- "${cur}"))
        ;;
    esac
}

_support_attachment_get() {
    repeating_flags=()
    non_repeating_flags=(--force --json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(-o --output --db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-o'|'--output')
        __support_add_completions -f
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_stats() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--since --until --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_audit() {
    repeating_flags=()
    non_repeating_flags=(--deleted-tickets --json --verbose --version -h --help)
    repeating_options=(--action)
    non_repeating_options=(--actor --ticket --since --until --page --limit --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--action')
        __support_add_completions -W 'ticket.created'$'\n''ticket.changed'$'\n''ticket.replied'$'\n''ticket.noted'$'\n''ticket.deleted'$'\n''setting.changed'$'\n''user.added'$'\n''user.changed'
        return
        ;;
    '--actor')
        return
        ;;
    '--ticket')
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    '--page')
        return
        ;;
    '--limit')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_serve() {
    repeating_flags=()
    non_repeating_flags=(--trust-proxy --json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--listen --auth-failure-limit --jwt-public-key --jwt-issuer --jwt-audience --jwt-email-claim --flush-every --idle-timeout --max-connections --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--listen')
        return
        ;;
    '--auth-failure-limit')
        return
        ;;
    '--jwt-public-key')
        return
        ;;
    '--jwt-issuer')
        return
        ;;
    '--jwt-audience')
        return
        ;;
    '--jwt-email-claim')
        return
        ;;
    '--flush-every')
        return
        ;;
    '--idle-timeout')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_token() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __support_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    issue|revoke)
        # Offer subcommand argument completions
        "_support_token_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'issue revoke' -- "${cur}"))
        ;;
    esac
}

_support_token_issue() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--expires --db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--expires')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_token_revoke() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --config --as --color)
    __support_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_db() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __support_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    copy)
        # Offer subcommand argument completions
        "_support_db_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'copy' -- "${cur}"))
        ;;
    esac
}

_support_db_copy() {
    repeating_flags=()
    non_repeating_flags=(--json --verbose --version -h --help)
    repeating_options=()
    non_repeating_options=(--to --to-config --db --config --as --color)
    __support_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--to')
        return
        ;;
    '--to-config')
        return
        ;;
    '--db')
        __support_add_completions -f
        return
        ;;
    '--config')
        __support_add_completions -f
        return
        ;;
    '--as')
        return
        ;;
    '--color')
        __support_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_support_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __support_offer_flags_options -1
}

complete -o filenames -F _support support
