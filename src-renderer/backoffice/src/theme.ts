import Aura from '@primeuix/themes/aura'
import { definePreset } from '@primeuix/themes'

/**
 * Aura with an indigo accent, adjusted for WCAG AA contrast: Aura's default
 * 500 shades under white text (indigo 4.47:1, green 2.3:1, red 3.8:1) fall
 * short of 4.5:1, so buttons and coloured text use the 600/700 shades.
 */
export const RibambellePreset = definePreset(Aura, {
  semantic: {
    primary: {
      50: '{indigo.50}',
      100: '{indigo.100}',
      200: '{indigo.200}',
      300: '{indigo.300}',
      400: '{indigo.400}',
      500: '{indigo.500}',
      600: '{indigo.600}',
      700: '{indigo.700}',
      800: '{indigo.800}',
      900: '{indigo.900}',
      950: '{indigo.950}'
    },
    colorScheme: {
      light: {
        primary: { color: '{primary.600}', contrastColor: '#ffffff', hoverColor: '{primary.700}', activeColor: '{primary.800}' }
      }
    }
  },
  components: {
    // Message and toast text: Aura's 600 shades on their pale backgrounds are under 4.5:1 (yellow 2.9:1).
    message: {
      colorScheme: {
        light: {
          error: { color: '{red.800}' },
          warn: { color: '{yellow.900}' },
          info: { color: '{blue.800}' },
          success: { color: '{green.800}' },
          secondary: { color: '{surface.700}' }
        }
      }
    },
    toast: {
      colorScheme: {
        light: {
          // Opaque backgrounds: Aura's are 5% transparent, and a toast over the dark top bar loses its contrast.
          error: { background: '{red.50}', color: '{red.800}', detailColor: '{surface.800}' },
          warn: { background: '{yellow.50}', color: '{yellow.900}', detailColor: '{surface.800}' },
          info: { background: '{blue.50}', color: '{blue.800}', detailColor: '{surface.800}' },
          success: { background: '{green.50}', color: '{green.800}', detailColor: '{surface.800}' }
        }
      }
    },
    button: {
      colorScheme: {
        light: {
          root: {
            success: {
              background: '{green.700}',
              hoverBackground: '{green.800}',
              activeBackground: '{green.900}',
              borderColor: '{green.700}',
              hoverBorderColor: '{green.800}',
              activeBorderColor: '{green.900}'
            },
            danger: {
              background: '{red.700}',
              hoverBackground: '{red.800}',
              activeBackground: '{red.900}',
              borderColor: '{red.700}',
              hoverBorderColor: '{red.800}',
              activeBorderColor: '{red.900}'
            },
            secondary: { color: '{surface.700}', hoverColor: '{surface.800}', activeColor: '{surface.900}' }
          },
          outlined: {
            success: { color: '{green.700}', borderColor: '{green.300}' },
            danger: { color: '{red.700}', borderColor: '{red.300}' },
            secondary: { color: '{surface.700}', borderColor: '{surface.300}' }
          },
          text: {
            success: { color: '{green.700}' },
            danger: { color: '{red.700}' },
            secondary: { color: '{surface.600}' }
          }
        }
      }
    }
  }
})
