import Testing
@testable import SupportCore

@Suite("SettingKey")
struct SettingKeyTests {
    @Test(arguments: ["support_email", "SUPPORT-EMAIL", " support_email "])
    func keyParsesInEitherSpelling(_ text: String) throws {
        #expect(try SettingKey.parse(text) == .supportEmail)
    }

    @Test func unknownKeyListsTheKnownOnes() {
        let error = failure { _ = try SettingKey.parse("smtp_host") }
        #expect(error?.exitCode == 65)
        #expect(error?.message.contains("ticket_rate_limit_per_hour") == true)
    }

    @Test(arguments: [("true", "true"), ("YES", "true"), ("on", "true"), ("1", "true"), ("false", "false"), ("No", "false"), ("0", "false")])
    func booleansAreNormalised(_ input: String, _ stored: String) throws {
        #expect(try SettingKey.supportAutoResponse.normalize(input) == stored)
    }

    @Test(arguments: ["maybe", "", "2", "truee"])
    func booleanRefusesOtherWords(_ input: String) {
        #expect(failure { _ = try SettingKey.supportAutoResponse.normalize(input) }?.exitCode == 65)
    }

    @Test func rateLimitIsABoundedWholeNumber() throws {
        #expect(try SettingKey.ticketRateLimitPerHour.normalize(" 0 ") == "0")
        #expect(try SettingKey.ticketRateLimitPerHour.normalize("100000") == "100000")
        for bad in ["-1", "100001", "1.5", "ten", "", "1e3", "99999999999999999999", "٣"] {
            #expect(failure { _ = try SettingKey.ticketRateLimitPerHour.normalize(bad) }?.exitCode == 65, "\(bad)")
        }
    }

    @Test func supportEmailMayBeEmptyOrAnAddress() throws {
        #expect(try SettingKey.supportEmail.normalize("  ") == "")
        #expect(try SettingKey.supportEmail.normalize("Help@Example.TEST") == "help@example.test")
        #expect(failure { _ = try SettingKey.supportEmail.normalize("help desk") }?.exitCode == 65)
    }

    @Test func templateMustParse() throws {
        #expect(try SettingKey.supportEmailTemplate.normalize("Hi {{requester_name}}\r\n") == "Hi {{requester_name}}")
        let error = failure { _ = try SettingKey.supportEmailTemplate.normalize("Hi {{#subject}} never closed") }
        #expect(error?.exitCode == 65)
        #expect(error?.message.contains("does not parse") == true)
        #expect(try SettingKey.supportEmailTemplate.normalize(SettingKey.defaultTemplate) == SettingKey.defaultTemplate)
    }

    @Test func sendmailCommandIsOneLineStartingWithAProgram() throws {
        #expect(try SettingKey.sendmailCommand.normalize("/usr/sbin/sendmail -i -f 'a b'") == "/usr/sbin/sendmail -i -f 'a b'")
        #expect(failure { _ = try SettingKey.sendmailCommand.normalize("bin/sendmail") }?.exitCode == 65)
        #expect(failure { _ = try SettingKey.sendmailCommand.normalize("sendmail 'unterminated") }?.exitCode == 65)
        #expect(failure { _ = try SettingKey.sendmailCommand.normalize("sendmail\n-t") }?.exitCode == 65)
    }
}
