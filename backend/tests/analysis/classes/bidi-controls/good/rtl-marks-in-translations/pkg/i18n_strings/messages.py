MESSAGES = {
    'he': 'שלום ‏(1)',
    'ar': 'مرحبا ‏!',
    'en': 'Hello (1)',
}
