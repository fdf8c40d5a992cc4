({ theme: 'dark' })
