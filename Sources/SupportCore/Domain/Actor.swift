/// Who is acting: the local operator (whoever can write the database file, with admin rights)
/// or a known person named with `--as`.
public enum Actor: Sendable, Equatable {
    case localOperator
    case person(User)

    public var role: Role {
        switch self {
        case .localOperator: .admin
        case .person(let user): user.role
        }
    }

    public var isStaff: Bool { role.isStaff }
    public var isAdmin: Bool { role == .admin }

    public var user: User? {
        if case .person(let user) = self { return user }
        return nil
    }

    /// The address the operator's own actions are recorded under.
    public static let operatorEmail = "operator@localhost"
    public static let operatorName = "Local operator"
}
