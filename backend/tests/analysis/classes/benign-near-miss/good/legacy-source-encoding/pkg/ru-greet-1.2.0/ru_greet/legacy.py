# coding: mac-roman
SIGN = "café ©"
