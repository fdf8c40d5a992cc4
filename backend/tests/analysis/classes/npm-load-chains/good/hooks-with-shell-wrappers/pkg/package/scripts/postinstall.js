console.log('Thanks for installing demo-widget');
